# bench/local.mk -- benchmark scripts (make bench)

/* demo.h -- `metaleak demo`: the whole pipeline on the shipped demo scenario. */
#ifndef ML_DEMO_H
#define ML_DEMO_H

#include <glib.h>

G_BEGIN_DECLS

/* Run `metaleak demo` with ARGV (argv[0] = "demo"). */
gboolean ml_demo_main (int argc, char **argv, GError **error);

G_END_DECLS

#endif /* ML_DEMO_H */

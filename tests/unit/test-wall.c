/* test-wall.c -- the wall: only the evaluator may see the simulation's truth.
 *
 * DESIGN.md: "truth.db is opened by exactly one module, the evaluator ...
 * A reader of the code must be able to see this wall at a glance (one file
 * opens truth.db; tests guard it)."  This test reads every .c and .h file
 * under analyze/ and reports/ of the source tree ($top_srcdir, else
 * $srcdir, else the current directory), blanks the comments (which may
 * talk about the wall) and fails, naming FILE:LINE, on code that
 *   - names the truth database or a truth schema ("truth.db", "truth.people"),
 *   - uses the truth schema (ML_SCHEMA_TRUTH, ml_schema_truth_*),
 *   - queries a table that exists only in truth.db (FROM people, JOIN ties, ...),
 *   - calls ml_evaluator_*() outside the driver analyze/cmd-analyze.c,
 * except in analyze/evaluate.c and analyze/evaluate.h, the evaluator.
 * The driver may open the evaluator, but not name the truth file: it asks
 * ml_evaluator_available().  A fake tree with known violations checks the
 * scanner itself.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "tests/unit/runner.h"

typedef struct {
  const char *what;             /* printed with each violation */
  const char *pattern;          /* GRegex, on code with comments blanked */
  const char *const *allowed;   /* files (relative to the tree) exempt */
} Rule;

static const char *const evaluator_only[] = { "analyze/evaluate.c", "analyze/evaluate.h", NULL };
static const char *const evaluator_and_driver[] = { "analyze/evaluate.c", "analyze/evaluate.h",
                                                    "analyze/cmd-analyze.c", NULL };

static const Rule rules[] = {
  { "names the truth database", "\\btruth\\.[A-Za-z_]", evaluator_only },
  { "uses the truth schema", "\\b(ML_SCHEMA_TRUTH|ml_schema_truth_)", evaluator_only },
  { "queries a truth table",
    "(?i)\\b(from|join|into|update)\\s+(cities|districts|households|people|services|ties|stays|ip_leases"
    "|cell_pools|messages_daily|messages|service_contacts|lookup_causes)\\b", evaluator_only },
  { "calls the evaluator", "\\bml_evaluator_[a-z_]+\\s*\\(", evaluator_and_driver },
};

static const char *const scanned_dirs[] = { "analyze", "reports" };

/* TEXT with every comment replaced by spaces (newlines kept, so line
 * numbers hold); string and character literals are kept as they are.
 * The caller frees. */
static char *
blank_comments (const char *text)
{
  char *out = g_strdup (text);
  enum { CODE, STRING, CHAR, LINE, BLOCK } state = CODE;

  for (char *p = out; *p != '\0'; p++)
    {
      switch (state)
        {
        case CODE:
          if (p[0] == '/' && p[1] == '/')
            state = LINE;
          else if (p[0] == '/' && p[1] == '*')
            {
              state = BLOCK;
              *p++ = ' ';
            }
          else if (*p == '"' || *p == '\'')
            state = *p == '"' ? STRING : CHAR;
          break;
        case STRING:
        case CHAR:
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == (state == STRING ? '"' : '\''))
            state = CODE;
          break;
        case LINE:
          if (*p == '\n')
            state = CODE;
          break;
        case BLOCK:
          if (p[0] == '*' && p[1] == '/')
            {
              *p++ = ' ';
              *p = ' ';
              state = CODE;
            }
          break;
        }
      if ((state == LINE || state == BLOCK) && *p != '\n')
        *p = ' ';
    }
  return out;
}

static gboolean
is_allowed (const Rule *r, const char *rel)
{
  return g_strv_contains ((const char *const *) r->allowed, rel);
}

/* Append "REL:LINE: WHAT" to OUT for every rule CODE breaks, in line order. */
static void
check_code (const char *rel, const char *code, GPtrArray *out)
{
  g_auto(GStrv) lines = g_strsplit (code, "\n", -1);
  GRegex *re[G_N_ELEMENTS (rules)];

  for (gsize r = 0; r < G_N_ELEMENTS (rules); r++)
    {
      re[r] = g_regex_new (rules[r].pattern, 0, 0, NULL);
      g_assert (re[r] != NULL);
    }
  for (guint i = 0; lines[i] != NULL; i++)
    for (gsize r = 0; r < G_N_ELEMENTS (rules); r++)
      if (!is_allowed (&rules[r], rel) && g_regex_match (re[r], lines[i], 0, NULL))
        g_ptr_array_add (out, g_strdup_printf ("%s:%u: %s", rel, i + 1, rules[r].what));
  for (gsize r = 0; r < G_N_ELEMENTS (rules); r++)
    g_regex_unref (re[r]);
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
scan_dir (const char *top, const char *rel_dir, GPtrArray *out)
{
  g_autofree char *path = g_build_filename (top, rel_dir, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *rel = g_strconcat (rel_dir, "/", (char *) names->pdata[i], NULL);
      g_autofree char *file = g_build_filename (top, rel, NULL);
      g_autofree char *text = NULL;
      g_autofree char *code = NULL;
      if (g_file_test (file, G_FILE_TEST_IS_DIR))
        scan_dir (top, rel, out);
      else if ((g_str_has_suffix (rel, ".c") || g_str_has_suffix (rel, ".h"))
               && g_file_get_contents (file, &text, NULL, NULL))
        check_code (rel, code = blank_comments (text), out);
    }
}

/* Every violation of the wall under TOP, as "FILE:LINE: what", in file
 * order.  The caller unrefs. */
static GPtrArray *
scan_tree (const char *top)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (scanned_dirs); i++)
    scan_dir (top, scanned_dirs[i], out);
  return out;
}

static const char *
source_tree (void)
{
  const char *vars[] = { "top_srcdir", "srcdir" };

  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    if (g_getenv (vars[i]) != NULL && g_getenv (vars[i])[0] != '\0')
      return g_getenv (vars[i]);
  return ".";
}

static void
test_only_the_evaluator_sees_truth (void)
{
  const char *top = source_tree ();
  g_autofree char *evaluator = g_build_filename (top, "analyze", "evaluate.c", NULL);
  g_autoptr(GPtrArray) found = NULL;

  if (!g_file_test (evaluator, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("\nno source tree at '%s' (set top_srcdir)\n", top);
      CU_FAIL_FATAL ("source tree not found");
    }
  found = scan_tree (top);
  for (guint i = 0; i < found->len; i++)
    {
      g_printerr ("\nwall: %s", (char *) found->pdata[i]);
      CU_assertImplementation (CU_FALSE, __LINE__, found->pdata[i], __FILE__, "", CU_FALSE);
    }
  CU_ASSERT_EQUAL (found->len, 0);
}

static void
write_file (const char *top, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (top, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_scan_reports_each_breach_with_file_and_line (void)
{
  g_autofree char *top = ml_test_path ("tree");
  g_autoptr(GPtrArray) found = NULL;
  static const char *const expected[] = {
    "analyze/cmd-analyze.c:3: names the truth database",
    "analyze/popmode.c:2: calls the evaluator",
    "reports/plot.c:2: queries a truth table",
    "reports/plot.c:3: uses the truth schema",
  };

  write_file (top, "analyze/evaluate.c", "/* the wall */\nopen (\"truth.db\");\nq (\"SELECT a FROM ties\");\n");
  write_file (top, "analyze/cmd-analyze.c", "e = ml_evaluator_open (run, t, &error);\n"
                                            "/* not truth.db here */ x = 1;\n"
                                            "char *p = g_build_filename (run, \"truth.db\", NULL);\n");
  write_file (top, "analyze/popmode.c", "// ml_evaluator_free (e) in a comment\nml_evaluator_free (e);\n");
  write_file (top, "analyze/ok.c", "const char *s = \"/* not a comment\"; /* FROM people truth.db */\n"
                                   "q (\"SELECT * FROM places JOIN trips\");\n");
  write_file (top, "reports/plot.c", "/* a comment\n spanning */ q (\"SELECT x FROM people\");\n"
                                     "check (ML_SCHEMA_TRUTH);\n");
  write_file (top, "reports/notes.txt", "FROM people\n");
  found = scan_tree (top);
  CU_ASSERT_EQUAL (found->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < MIN (found->len, G_N_ELEMENTS (expected)); i++)
    CU_ASSERT_STRING_EQUAL (found->pdata[i], expected[i]);
}

static void
test_comments_are_blanked_and_lines_kept (void)
{
  g_autofree char *code = blank_comments ("a /* b\nc */ d // e\n\"/* f */\" '\"' g\n");

  CU_ASSERT_STRING_EQUAL (code, "a     \n     d     \n\"/* f */\" '\"' g\n");
}

static CU_TestInfo wall_tests[] = {
  { "only the evaluator sees truth", test_only_the_evaluator_sees_truth },
  { "scan reports each breach with file and line", test_scan_reports_each_breach_with_file_and_line },
  { "comments are blanked and lines kept", test_comments_are_blanked_and_lines_kept },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "the wall", .pTests = wall_tests },
  CU_SUITE_INFO_NULL,
};

int
main (int argc, char **argv)
{
  return ml_test_main (argc, argv, suites);
}

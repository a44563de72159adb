/*
 * test_args.c - miou_args_parse(): the command line split the same way on
 * every platform. The case "the unikernel's own command line" reads the
 * real one: scripts/test.sh and scripts/check_solo5.sh run this program
 * with the arguments "--solo5:quiet --own=1 --one --two --solo5:debug"
 * (options, so that check_main() takes none as a filter), of which the
 * platform (the hosted tender or Solo5's bindings) must have taken the
 * leading --solo5: word only.
 */
#include <string.h>

#include "lib/check.h"

/* Split (cmdline) and check it gives the (n) words of (want). */
static void split_is(const char *cmdline, const char *const *want, int n)
{
    struct miou_args a;
    if (!CHECK_RC(miou_args_parse(cmdline, &a), 0))
        return;
    if (CHECK_EQ(a.argc, n)) {
        for (int i = 0; i < n; i++)
            CHECK_STR_EQ(a.argv[i], want[i]);
        CHECK_NULL(a.argv[n]);
    }
    miou_args_free(&a);
    CHECK_EQ(a.argc, 0);
    CHECK_NULL(a.argv);
}

static void words_are_split_at_spaces_and_tabs(void)
{
    static const char *const want[] = {"--count=3", "a", "b\\c", "--x"};
    split_is("--count=3 a\tb\\c    --x", want, 4);
}

static void blanks_at_either_end_make_no_word(void)
{
    static const char *const want[] = {"one"};
    split_is("  \t one \t  ", want, 1);
}

static void an_empty_command_line_has_no_word(void)
{
    split_is("", NULL, 0);
    split_is("   \t ", NULL, 0);
}

static void quotes_are_ordinary_characters(void)
{
    /* A tender joins its arguments with spaces: there is nothing to
     * unquote, on any platform. */
    static const char *const want[] = {"\"a", "b\"", "'c'"};
    split_is("\"a b\" 'c'", want, 3);
}

static void a_solo5_word_after_the_first_is_the_unikernels(void)
{
    static const char *const want[] = {"x", "--solo5:quiet"};
    split_is("x --solo5:quiet", want, 2);
}

static void a_long_command_line_is_split_whole(void)
{
    static char line[8192];
    size_t len = 0;
    int words = 0;
    while (len + 8 < sizeof line) {
        memcpy(line + len, "word123 ", 8);
        len += 8;
        words++;
    }
    line[len] = '\0';
    struct miou_args a;
    if (!CHECK_RC(miou_args_parse(line, &a), 0))
        return;
    CHECK_EQ(a.argc, words);
    CHECK_STR_EQ(a.argv[words - 1], "word123");
    miou_args_free(&a);
}

static void null_arguments_are_refused(void)
{
    struct miou_args a = {7, (char **)&a};
    CHECK_RC(miou_args_parse(NULL, &a), MIOU_EINVAL);
    CHECK_EQ(a.argc, 0);
    CHECK_NULL(a.argv);
    CHECK_RC(miou_args_parse("a", NULL), MIOU_EINVAL);
    miou_args_free(NULL);
}

static void *in_a_task(void *arg)
{
    static const char *const want[] = {"inside", "a", "task"};
    (void)arg;
    split_is("inside a task", want, 3);
    return NULL;
}

static void it_works_inside_a_run(void)
{
    CHECK_RUN(in_a_task, NULL, 0);
}

/* The real command line, as the platform handed it over. */
static const char *own_cmdline;

static void the_unikernels_own_command_line(void)
{
    if (check_option("own") == NULL) {
        check_skip("run without --own=1 (scripts/test.sh passes it)");
        return;
    }
    static const char *const want[] = {"--own=1", "--one", "--two",
                                       "--solo5:debug"};
    split_is(own_cmdline, want, 4);
}

static const struct check_case cases[] = {
    {"words are split at spaces and tabs", words_are_split_at_spaces_and_tabs},
    {"blanks at either end make no word", blanks_at_either_end_make_no_word},
    {"an empty command line has no word", an_empty_command_line_has_no_word},
    {"quotes are ordinary characters", quotes_are_ordinary_characters},
    {"a --solo5: word after the first is the unikernel's",
     a_solo5_word_after_the_first_is_the_unikernels},
    {"a long command line is split whole", a_long_command_line_is_split_whole},
    {"NULL arguments are refused", null_arguments_are_refused},
    {"it works inside a run", it_works_inside_a_run},
    {"the platform took the leading --solo5: words only",
     the_unikernels_own_command_line},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    own_cmdline = si->cmdline;
    return check_main("args", si, cases, CHECK_COUNT(cases));
}

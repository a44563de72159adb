/*
 * test_errors.c - miou_strerror() and miou_errname() for every code of
 * MIOU_ERRORS, and for numbers that are not codes.
 */
#include <limits.h>
#include <string.h>

#include "lib/check.h"

static void every_code_has_its_text(void)
{
#define X(name, value, text) CHECK_STR_EQ(miou_strerror(MIOU_##name), text);
    MIOU_ERRORS(X)
#undef X
}

static void every_code_has_its_name(void)
{
#define X(name, value, text)                                                   \
    CHECK_STR_EQ(miou_errname(MIOU_##name), "MIOU_" #name);
    MIOU_ERRORS(X)
#undef X
}

static void codes_are_the_negated_values(void)
{
#define X(name, value, text) CHECK_EQ(MIOU_##name, -(value));
    MIOU_ERRORS(X)
#undef X
    CHECK_EQ(MIOU_OK, 0);
}

static void codes_are_distinct(void)
{
    static const int codes[] = {
#define X(name, value, text) MIOU_##name,
        MIOU_ERRORS(X)
#undef X
    };
    size_t i, j;
    for (i = 0; i < CHECK_COUNT(codes); i++)
        for (j = i + 1; j < CHECK_COUNT(codes); j++)
            CHECK_NE(codes[i], codes[j]);
    for (i = 0; i < CHECK_COUNT(codes); i++)
        for (j = i + 1; j < CHECK_COUNT(codes); j++)
            CHECK(strcmp(miou_strerror(codes[i]), miou_strerror(codes[j])));
}

/* How many codes there are: the values run from 1 to NCODES. */
#define COUNT_ONE(name, value, text) +1
enum { NCODES = 0 MIOU_ERRORS(COUNT_ONE) };
#undef COUNT_ONE

static const int unknown[] = {INT_MIN, INT_MIN + 1, -1000,  -(NCODES + 1),
                              -99,     1,           2,      10,
                              11,      1000,        INT_MAX};

static void unknown_codes_are_unknown_error(void)
{
    size_t i;
    for (i = 0; i < CHECK_COUNT(unknown); i++)
        if (!CHECK_STR_EQ(miou_strerror(unknown[i]), "unknown error"))
            check_note("miou_strerror(%d)", unknown[i]);
}

static void unknown_codes_are_named_miou_e_question(void)
{
    size_t i;
    for (i = 0; i < CHECK_COUNT(unknown); i++)
        if (!CHECK_STR_EQ(miou_errname(unknown[i]), "MIOU_E?"))
            check_note("miou_errname(%d)", unknown[i]);
}

static void zero_has_a_text_and_a_name(void)
{
    const char *s = miou_strerror(0), *n = miou_errname(0);
    if (CHECK_NOT_NULL(s))
        CHECK_GT(strlen(s), 0);
    if (CHECK_NOT_NULL(n))
        CHECK_GT(strlen(n), 0);
}

static void *texts_main(void *arg)
{
    (void)arg;
    CHECK_STR_EQ(miou_strerror(MIOU_ECANCELED), "cancelled");
    CHECK_STR_EQ(miou_errname(MIOU_EDEADLK), "MIOU_EDEADLK");
    return NULL;
}

static void the_texts_work_inside_a_run_too(void)
{
    CHECK_RUN(texts_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"every code has the text of MIOU_ERRORS", every_code_has_its_text},
    {"every code is named MIOU_<name>", every_code_has_its_name},
    {"codes are the negated values of MIOU_ERRORS",
     codes_are_the_negated_values},
    {"codes and their texts are distinct", codes_are_distinct},
    {"numbers that are not codes are \"unknown error\"",
     unknown_codes_are_unknown_error},
    {"numbers that are not codes are named MIOU_E?",
     unknown_codes_are_named_miou_e_question},
    {"zero has a non-empty text and name", zero_has_a_text_and_a_name},
    {"texts and names work inside a run too", the_texts_work_inside_a_run_too},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("errors", si, cases, CHECK_COUNT(cases));
}

/*
 * ctype.c - character classes in the "C" locale (ASCII).
 *
 * Comparisons rather than a table: they are as fast for these few
 * classes and need no 256-byte table in every unikernel. Bytes above 127
 * and EOF are in no class.
 */
#include <ctype.h>

int isdigit(int c)
{
    return c >= '0' && c <= '9';
}

int isupper(int c)
{
    return c >= 'A' && c <= 'Z';
}

int islower(int c)
{
    return c >= 'a' && c <= 'z';
}

int isalpha(int c)
{
    return isupper(c) || islower(c);
}

int isalnum(int c)
{
    return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
    return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Space, \t \n \v \f \r. */
int isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int iscntrl(int c)
{
    return (c >= 0 && c < 0x20) || c == 0x7f;
}

int isprint(int c)
{
    return c >= 0x20 && c < 0x7f;
}

/* Printable, not a space, not a letter or digit. */
int ispunct(int c)
{
    return c > 0x20 && c < 0x7f && !isalnum(c);
}

int toupper(int c)
{
    return islower(c) ? c - 'a' + 'A' : c;
}

int tolower(int c)
{
    return isupper(c) ? c - 'A' + 'a' : c;
}

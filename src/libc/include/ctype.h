/*
 * ctype.h - character classes of the freestanding C library of
 * miou-solo5, in the "C" locale (ASCII; there are no other locales).
 *
 * (c) is EOF or a value of unsigned char, as in standard C; bytes 128..255
 * and EOF belong to no class, and toupper()/tolower() return them
 * unchanged. The functions are in ctype.c.
 */
#ifndef MIOU_LIBC_CTYPE_H
#define MIOU_LIBC_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int iscntrl(int c);
int isdigit(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif

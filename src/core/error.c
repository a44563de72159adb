/*
 * error.c - names and descriptions of the error codes, from the one list in
 * miou.h.
 */
#include "internal.h"

const char *miou_strerror(int err)
{
    switch (err) {
    case MIOU_OK:
        return "success";
#define MIOU__ERROR_TEXT(name, value, text)                                    \
    case MIOU_##name:                                                          \
        return text;
        MIOU_ERRORS(MIOU__ERROR_TEXT)
#undef MIOU__ERROR_TEXT
    default:
        return "unknown error";
    }
}

const char *miou_errname(int err)
{
    switch (err) {
    case MIOU_OK:
        return "MIOU_OK";
#define MIOU__ERROR_NAME(name, value, text)                                    \
    case MIOU_##name:                                                          \
        return "MIOU_" #name;
        MIOU_ERRORS(MIOU__ERROR_NAME)
#undef MIOU__ERROR_NAME
    default:
        return "MIOU_E?";
    }
}

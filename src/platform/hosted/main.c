/*
 * main.c - the process's entry point: the tender (tender.c).
 *
 * Alone in its file so that a program defining its own main() (a test
 * that prepares files, then calls miou_hosted_main()) does not pull this
 * one out of the library.
 */
#include <miou_hosted.h>

int main(int argc, char **argv)
{
    return miou_hosted_main(argc, argv);
}

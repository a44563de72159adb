/*
 * miou_hosted.h - the tender of the hosted platform, for programs that
 * want to call it themselves.
 *
 * On the hosted platform a unikernel is a Linux process, and the library
 * libmiou-hosted.a brings its main(), which plays the Solo5 tender: it
 * reads the tender's options (--mem, --net:NAME=..., --block:NAME=...),
 * attaches the devices of the unikernel's manifest, then calls
 * solo5_app_main(). A program that defines its own main() instead (a test
 * that first makes a disk image or a socket) calls miou_hosted_main() to
 * do the same. Not available on the Solo5 target, which has no main().
 */
#ifndef MIOU_HOSTED_H_INCLUDED
#define MIOU_HOSTED_H_INCLUDED

#ifdef __cplusplus
extern "C" {
#endif

/* Run the unikernel with the command line (argc, argv), argv[0] being the
 * program's name: "PROG [TENDER OPTION]... [--] [ARGUMENT]...", as for
 * the hosted main() (PROG --help lists the options). Returns what
 * solo5_app_main() returned; or, without calling it, 0 after --help or
 * --version and 1 after a bad option or a device that cannot be attached
 * (with one line on standard error saying why). Before it returns, the
 * devices are closed and the heap unmapped, so that it may be called
 * again; a unikernel that calls solo5_exit() ends the process instead.
 * Not thread-safe: one call at a time per process.
 *
 * A later call may attach other devices, but miou's device calls keep
 * what they learnt when a thread first acquired a name (its handle, MAC
 * and MTU, capacity and block size), because Solo5 has no release and the
 * library never asks twice. Give every call the same device options, or
 * use the raw solo5_*_acquire() calls in such tests. */
int miou_hosted_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif

/* Credentials sockets are created with: per thread, defaulting to the
 * process's effective ids (privileged iff the effective uid is 0). */
#include <stddef.h>
#include <unistd.h>

#include "sock/sock.h"

static _Thread_local int have_creds;
static _Thread_local struct six_creds thread_creds;

void six_set_creds(const struct six_creds *creds) {
    if (creds) {
        thread_creds = *creds;
        have_creds = 1;
    } else {
        have_creds = 0;
    }
}

void six__creds_current(struct six_creds *out) {
    if (have_creds) {
        *out = thread_creds;
        return;
    }
    out->uid = geteuid();
    out->gid = getegid();
    out->privileged = out->uid == 0;
}

void six_get_creds(struct six_creds *out) {
    six__creds_current(out);
}

/* Credentials sockets are created with: per thread, defaulting to the
 * process's effective ids (privileged iff the effective uid is 0). */
#include <stddef.h>

#include "sock/sock.h"

static SIX_PORT_THREAD_LOCAL int have_creds;
static SIX_PORT_THREAD_LOCAL struct six_creds thread_creds;

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
    unsigned uid, gid;

    six_port_ids(&uid, &gid);
    out->uid = (uid_t)uid;
    out->gid = (gid_t)gid;
    out->privileged = out->uid == 0;
}

void six_get_creds(struct six_creds *out) {
    six__creds_current(out);
}

/* Unit tests for six__grow_array (src/core/core.c), the growth of every
 * array the stack keeps (addresses, routes, sources, memberships). */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"
#include "test.h"

TEST(grow_array_doubles_from_first) {
    int *a = NULL;
    unsigned cap = 0;

    CHECK_EQ(six__grow_array((void **)&a, &cap, 1, 8, 1000, sizeof(*a)), 0);
    CHECK(a != NULL);
    CHECK_EQ(cap, 8);
    a[7] = 7;
    CHECK_EQ(six__grow_array((void **)&a, &cap, 8, 8, 1000, sizeof(*a)), 0);
    CHECK_EQ(cap, 8);   /* room already */
    CHECK_EQ(six__grow_array((void **)&a, &cap, 9, 8, 1000, sizeof(*a)), 0);
    CHECK_EQ(cap, 16);
    CHECK_EQ(a[7], 7);  /* kept */
    CHECK_EQ(six__grow_array((void **)&a, &cap, 100, 8, 1000, sizeof(*a)), 0);
    CHECK_EQ(cap, 128);
    free(a);
}

TEST(grow_array_stops_at_max) {
    int *a = NULL;
    unsigned cap = 0;

    CHECK_EQ(six__grow_array((void **)&a, &cap, 15, 2, 20, sizeof(*a)), 0);
    CHECK_EQ(cap, 16);
    CHECK_EQ(six__grow_array((void **)&a, &cap, 17, 2, 20, sizeof(*a)), 0);
    CHECK_EQ(cap, 20);   /* not 32 */
    int *was = a;
    CHECK_EQ(six__grow_array((void **)&a, &cap, 21, 2, 20, sizeof(*a)), -ENOBUFS);
    CHECK(a == was);     /* nothing changed */
    CHECK_EQ(cap, 20);
    free(a);
    a = NULL;
    cap = 0;
    CHECK_EQ(six__grow_array((void **)&a, &cap, 1, 8, 5, sizeof(*a)), 0);
    CHECK_EQ(cap, 5);    /* a first above max is cut to it */
    free(a);
}

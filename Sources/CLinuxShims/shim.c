#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "CLinuxShims.h"

int clinux_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int clinux_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int clinux_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int clinux_unacknowledged_output(int fd) {
    int pending = 0;
    return ioctl(fd, SIOCOUTQ, &pending) == 0 ? pending : -1;
}

int clinux_bytes_readable(int fd) {
    int ready = 0;
    return ioctl(fd, FIONREAD, &ready) == 0 ? ready : -1;
}

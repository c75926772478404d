#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
/// Linux interfaces Glibc's Swift module does not expose (epoll, eventfd, timerfd, accept4,
/// pipe2, posix_spawn's closefrom, the SIOCOUTQ and FIONREAD ioctls, inotify).
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): Glibc hides accept4 behind _GNU_SOURCE.
int clinux_accept_nonblocking(int fd);

/// pipe2(fds, O_CLOEXEC): both ends close on exec, so no other child inherits them.
int clinux_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` up.
int clinux_spawn_close_from(posix_spawn_file_actions_t *actions, int from);
/// ioctl(fd, SIOCOUTQ): bytes of a TCP socket's output the peer has not acknowledged yet
/// (sent or still queued in the kernel); -1 on error.
int clinux_unacknowledged_output(int fd);
/// ioctl(fd, FIONREAD): bytes ready to read without blocking (an inotify queue's size); -1 on error.
int clinux_bytes_readable(int fd);
#endif

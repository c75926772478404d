#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
/// Linux interfaces Glibc's Swift module does not expose (epoll, eventfd, timerfd, accept4).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): Glibc hides accept4 behind _GNU_SOURCE.
int clinux_accept_nonblocking(int fd);
#endif

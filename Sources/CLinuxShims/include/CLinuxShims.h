#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
/// Linux interfaces Glibc's Swift module does not expose (epoll, eventfd, timerfd).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#endif

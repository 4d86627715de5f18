// What the socket guests share: a call's result printed with errno's name.
#pragma once

#include <errno.h>
#include <stdio.h>

// errno's name (musl has no strerrorname_np).
static inline const char* errno_name(int e) {
  static const struct {
    int value;
    const char* name;
  } names[] = {{EAGAIN, "EAGAIN"},
               {EPIPE, "EPIPE"},
               {ECONNRESET, "ECONNRESET"},
               {ECONNREFUSED, "ECONNREFUSED"},
               {ENOENT, "ENOENT"},
               {EINVAL, "EINVAL"},
               {EADDRINUSE, "EADDRINUSE"},
               {ENOTCONN, "ENOTCONN"},
               {EOPNOTSUPP, "EOPNOTSUPP"},
               {ENOPROTOOPT, "ENOPROTOOPT"},
               {EAFNOSUPPORT, "EAFNOSUPPORT"},
               {ENOTSOCK, "ENOTSOCK"},
               {EDESTADDRREQ, "EDESTADDRREQ"},
               {EISCONN, "EISCONN"},
               {EBADF, "EBADF"},
               {EPERM, "EPERM"},
               {EEXIST, "EEXIST"},
               {ELOOP, "ELOOP"},
               {ENETUNREACH, "ENETUNREACH"},
               {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
               {EPROTOTYPE, "EPROTOTYPE"},
               {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
               {EMSGSIZE, "EMSGSIZE"},
               {EFAULT, "EFAULT"},
               {EINPROGRESS, "EINPROGRESS"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (names[i].value == e) return names[i].name;
  return "E?";
}

// Prints a call's result: the value, or -1 and the errno's name.
static inline void show(const char* what, long result) {
  if (result < 0)
    printf("%s = -1 %s\n", what, errno_name(errno));
  else
    printf("%s = %ld\n", what, result);
}

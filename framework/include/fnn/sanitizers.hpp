#pragma once
// FNN_THREAD_SANITIZER is defined when this translation unit is built with ThreadSanitizer
// (GCC's __SANITIZE_THREAD__, Clang's __has_feature(thread_sanitizer)), for the few places
// that must build differently under it.
#if defined(__SANITIZE_THREAD__)
#define FNN_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FNN_THREAD_SANITIZER 1
#endif
#endif

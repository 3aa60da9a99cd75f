// Test helper: whether this build runs under a sanitizer, for the few bounds on time and
// memory that must allow for its overhead. GCC defines __SANITIZE_ADDRESS__ and
// __SANITIZE_THREAD__; clang answers through __has_feature instead.
#pragma once

namespace tileflow::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
inline constexpr bool kAddressSanitizer = __has_feature(address_sanitizer);
#else
inline constexpr bool kAddressSanitizer = false;
#endif

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
inline constexpr bool kThreadSanitizer = __has_feature(thread_sanitizer);
#else
inline constexpr bool kThreadSanitizer = false;
#endif

inline constexpr bool kSanitizer = kAddressSanitizer || kThreadSanitizer;

}  // namespace tileflow::testing

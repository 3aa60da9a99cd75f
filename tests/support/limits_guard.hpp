// Test helper: LimitsGuard, which restores the resource limits in force when it was made, so a
// test can change them (setResourceLimits) without leaking the change into the next test.
#pragma once

#include "tileflow/limits.hpp"

namespace tileflow::testing {

// Restores the limits in force when it was made.
class LimitsGuard {
public:
    LimitsGuard() : saved_(resourceLimits()) {}
    ~LimitsGuard() { setResourceLimits(saved_); }
    LimitsGuard(const LimitsGuard&) = delete;
    LimitsGuard& operator=(const LimitsGuard&) = delete;

private:
    ResourceLimits saved_;
};

}  // namespace tileflow::testing

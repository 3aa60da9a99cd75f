#include "vanishing_dependency.hpp"

int vanishingDependency() {
    return 42;
}

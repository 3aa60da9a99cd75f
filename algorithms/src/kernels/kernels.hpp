// Internal: the built-in operations, as the registry sees them. Each kernel file defines a
// description (its id, name and parameters) and a factory from validated parameters.
#pragma once

#include <memory>

#include "tileflow/operation.hpp"
#include "tileflow/parameters.hpp"

namespace tileflow::kernels {

struct Kernel {
    OperationInfo (*describe)();
    std::shared_ptr<const Operation> (*create)(const Parameters&);
};

OperationInfo describeCopy();
std::shared_ptr<const Operation> createCopy(const Parameters&);
OperationInfo describeSobel();
std::shared_ptr<const Operation> createSobel(const Parameters&);
OperationInfo describeGaussian();
std::shared_ptr<const Operation> createGaussian(const Parameters&);
OperationInfo describeStretch();
std::shared_ptr<const Operation> createStretch(const Parameters&);
OperationInfo describeThreshold();
std::shared_ptr<const Operation> createThreshold(const Parameters&);
OperationInfo describeNuclei();
std::shared_ptr<const Operation> createNuclei(const Parameters&);
OperationInfo describeTissue();
std::shared_ptr<const Operation> createTissue(const Parameters&);
OperationInfo describeRatio();
std::shared_ptr<const Operation> createRatio(const Parameters&);

}  // namespace tileflow::kernels

// Guards for MLX defects (seen in MLX 0.32.4) in ops on the graph rather than on values: depends.
#include "support/core.h"

namespace mlxts::support {

std::vector<mx::array> depends(const std::vector<mx::array>& inputs, const std::vector<mx::array>& dependencies) {
  if (inputs.empty()) return {};
  return mx::depends(inputs, dependencies);
}

}  // namespace mlxts::support

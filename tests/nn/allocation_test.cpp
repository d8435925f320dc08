// The epoch loop must not touch the heap: workspaces are sized once per training. Counted by
// replacing the global operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "nn/train.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace nn {
namespace {

long allocations_to_train(TrialConfig c, int epochs, const Dataset& data) {
  c.train.epochs = epochs;
  const long before = g_allocations.load();
  const TrainResult r = train(c, data, 3);
  EXPECT_EQ(r.epochs_run, epochs);
  return g_allocations.load() - before;
}

TEST(Allocation, EpochLoopAllocatesNothing) {
  for (Optimizer o : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam}) {
    TrialConfig c;
    c.data.dataset = DatasetKind::spiral;
    c.data.validation_fraction = 0.2;
    c.model.hidden = {8, 8};
    c.train.optimizer = o;
    c.train.learning_rate = 0.001;
    c.train.regularization = Regularization::l2;
    c.train.regularization_rate = 0.001;
    c.train.batch_size = 7;  // a short last batch too
    const Dataset data = make_dataset(c.data, 1);
    EXPECT_EQ(allocations_to_train(c, 5, data), allocations_to_train(c, 40, data)) << to_string(o);
  }
}

}  // namespace
}  // namespace nn

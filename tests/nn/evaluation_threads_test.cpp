// The evaluation of large splits on oneTBB's idle threads (nn/pack.cpp): the same bits as on one
// thread. Its own executable, run by ctest with no other test beside it: on a loaded machine the
// calling thread finishes every block before a worker wakes, and the test asserts that workers
// did take part.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>
#include <tbb/task_scheduler_observer.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "nn/pack.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;

// Counts the worker threads that joined an arena: they join only to take its tasks.
class JoinedWorkers : public tbb::task_scheduler_observer {
 public:
  explicit JoinedWorkers(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) {
    observe(true);
  }
  ~JoinedWorkers() override { observe(false); }
  void on_scheduler_entry(bool worker) override { joined += worker; }
  std::atomic<int> joined{0};
};

// The evaluation of large splits runs its blocks on idle threads too; each block's sums are
// added in block order afterwards, so a pack's results are the same bits on one thread and on
// four, where other threads did take blocks. The pack mixes activations and optimizers. A
// helping thread keeps its scratch for the next pack of the same shape and makes another for a
// pack of another shape: packs of both kinds in turn give the same bits again.
TEST(Pack, EvaluationOnOtherThreadsGivesTheSameBits) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one CPU: no thread to share";
  // Evaluations long enough (a few milliseconds) for a worker to wake on a busy machine.
  std::vector<TrialConfig> configs(4, config_for(DatasetKind::circle, {32, 32}, 0.03, 2));
  for (TrialConfig& c : configs) {
    c.data.points = 16000;  // 6,400 to train on, 1,600 to validate, 8,000 to test: 33 blocks
    c.data.validation_fraction = 0.2;
    c.train.batch_size = 200;
  }
  configs[1].model.activation = Activation::tanh;
  configs[2].train.optimizer = Optimizer::adam;
  configs[3].train.learning_rate = 0.3;
  const Dataset data = make_dataset(configs[0].data, 3);
  std::vector<TrainJob> jobs;
  for (std::size_t i = 0; i < configs.size(); ++i) jobs.push_back({&configs[i], 20 + i, {}});
  std::vector<TrialConfig> narrow = configs;  // another shape: other scratch sizes
  for (TrialConfig& c : narrow) c.model.hidden = {64, 16};
  std::vector<TrainJob> narrow_jobs = jobs;
  for (std::size_t i = 0; i < narrow.size(); ++i) narrow_jobs[i].config = &narrow[i];
  const auto run_on = [&](int threads, int* joined, const std::vector<TrainJob>& pack) {
    tbb::task_arena arena(threads);
    JoinedWorkers workers(arena);
    std::vector<TrainResult> results;
    arena.execute([&] { results = Pack(pack, data).run(); });
    *joined = workers.joined.load();
    return results;
  };
  int alone_joined = 0;
  const std::vector<TrainResult> alone = run_on(1, &alone_joined, jobs);
  EXPECT_EQ(alone_joined, 0);
  std::vector<TrainResult> narrow_alone;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string what = "job " + std::to_string(i);
    expect_same_bits(alone[i], train(configs[i], data, jobs[i].seed), "alone, " + what);
    narrow_alone.push_back(train(narrow[i], data, jobs[i].seed));
  }
  // On four threads until another thread took a block: on a busy machine the calling thread
  // can finish every block before a worker wakes, so up to 20 tries, each with the same bits.
  const auto helped = [&](const std::vector<TrainJob>& pack,
                          const std::vector<TrainResult>& expected, const std::string& what) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      int joined = 0;
      const std::vector<TrainResult> results = run_on(4, &joined, pack);
      for (std::size_t i = 0; i < pack.size(); ++i)
        expect_same_bits(results[i], expected[i], what + ", job " + std::to_string(i));
      if (joined > 0) return true;
    }
    return false;
  };
  EXPECT_TRUE(helped(jobs, alone, "shared")) << "no other thread took a block";
  EXPECT_TRUE(helped(narrow_jobs, narrow_alone, "other shape")) << "none took one";
  EXPECT_TRUE(helped(jobs, alone, "same shape again")) << "none took one";
}

}  // namespace
}  // namespace nn

// A JoinableQueue: the producer waits, with join(), until a daemon consumer
// has marked every item done; the consumer then ends with the program.
#include <mproc/mproc.hpp>

#include <cstdio>

MPROC_TASK(consume_forever) {
  mproc::JoinableQueue q = mproc::ArgsView(args).queue(0);
  for (;;) {
    auto item = q.get();
    std::printf("consumer handled %s\n", item.str().c_str());
    q.task_done();
  }
}

MPROC_TASK(produce_and_wait) {
  mproc::JoinableQueue q = mproc::ArgsView(args).queue(0);
  for (int i = 0; i < 5; ++i) {
    std::string item = "bun " + std::to_string(i);
    q.put(item);
    std::printf("producer made %s\n", item.c_str());
  }
  q.join();  // until the consumer marked all five done
  std::printf("producer: every item was handled\n");
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::JoinableQueue q;
  mproc::Process consumer("consume_forever", mproc::Args() << q,
                          mproc::ProcessOptions().daemon());
  mproc::Process producer("produce_and_wait", mproc::Args() << q);
  consumer.start();
  producer.start();
  producer.join();
  std::printf("main: done (the daemon consumer ends with it)\n");
}

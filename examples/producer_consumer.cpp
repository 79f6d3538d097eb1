// The producer and consumer with a sentinel, in C++: a Queue passed to
// both children.
#include <mproc/mproc.hpp>

#include <cstdio>

MPROC_TASK(produce) {
  mproc::Queue q = mproc::ArgsView(args).queue(0);
  for (int i = 0; i < 5; ++i) {
    std::string item = "bun " + std::to_string(i);
    q.put(item);
    std::printf("producer made %s\n", item.c_str());
  }
  q.put("");  // the sentinel
  return 0;
}

MPROC_TASK(consume) {
  mproc::Queue q = mproc::ArgsView(args).queue(0);
  for (auto item = q.get(); item.size() > 0; item = q.get())
    std::printf("consumer ate %s\n", item.str().c_str());
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // before init: children print too
  mproc::init(argc, argv);
  mproc::Queue q;
  mproc::Process producer("produce", mproc::Args() << q);
  mproc::Process consumer("consume", mproc::Args() << q);
  producer.start();
  consumer.start();
  producer.join();
  consumer.join();
  std::printf("main: both done\n");
}

// mproc/shared_containers.hpp (through mproc.hpp): SharedDict and
// SharedList as a C++ program using only the public headers sees them.
#include <gtest/gtest.h>
#include <mproc/mproc.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace {

// Counts "visits" in the dict it gets, with compare-and-set, and appends
// its name to the list.
MPROC_TASK(hpp_container_child) {
  mproc::ArgsView a(args);
  auto d = a.object<mproc::SharedDict>(0);
  auto l = a.object<mproc::SharedList>(1);
  for (;;) {
    std::string old = d.at("visits");
    if (d.replace("visits", old, std::to_string(std::stoi(old) + 1))) break;
  }
  l.push_back(std::string(a.str(2)));
  return 0;
}

TEST(SharedDictHpp, MapLikeAccess) {
  mproc::SharedDict d;
  EXPECT_TRUE(d.empty());
  d["a"] = "1";
  d.set("b", std::string_view("two\0bytes", 9));
  std::string a = d["a"];
  EXPECT_EQ(a, "1");
  EXPECT_EQ(d.at("b"), std::string("two\0bytes", 9));
  EXPECT_EQ(d.get("missing"), std::nullopt);
  EXPECT_EQ(d.count("a"), 1u);
  EXPECT_TRUE(d.contains("b"));
  EXPECT_FALSE(d.insert("a", "other"));
  EXPECT_TRUE(d.insert("c", "3"));
  EXPECT_TRUE(d.replace("c", "3", "33"));
  EXPECT_FALSE(d.replace("c", "3", "333"));
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.pop("c"), std::optional<std::string>("33"));
  EXPECT_EQ(d.erase("c"), 0u);
  EXPECT_EQ(d.erase("b"), 1u);
  try {
    (void)d.at("b");
    FAIL() << "at() of a missing key must throw";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_ENOTFOUND);
  }
  // A value larger than the first guess of the reader.
  std::string big(100000, 'x');
  d["big"] = big;
  EXPECT_EQ(d.at("big"), big);
  std::map<std::string, std::string> seen;
  for (auto [k, v] : d.items()) seen.emplace(k, v);
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"a", "1"}, {"big", big}}));
  auto keys = d.keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "big"}));
  EXPECT_GT(d.used(), 100000u);
  EXPECT_EQ(d.limit(), MPROC_CONTAINER_DEFAULT_LIMIT);
  d.check();
  d.clear();
  EXPECT_EQ(d.size(), 0u);
}

TEST(SharedDictHpp, FullIsAnErrorWithTheCode) {
  mproc::ContainerOptions o;
  o.limit = 4096;
  mproc::SharedDict d(o);
  std::string v(200, 'v');
  try {
    for (int i = 0; i < 1000; ++i) d.set("k" + std::to_string(i), v);
    FAIL() << "a 4 KiB dict held 1000 values of 200 bytes";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_EFULL);
  }
  d.check();
}

TEST(SharedListHpp, VectorLikeAccess) {
  mproc::SharedList l;
  EXPECT_TRUE(l.empty());
  l.push_back("b");
  l.push_back("c");
  l.insert(0, "a");
  EXPECT_EQ(l.size(), 3u);
  EXPECT_EQ(l.front(), "a");
  EXPECT_EQ(l.back(), "c");
  l[1] = "B";
  std::string b = l[1];
  EXPECT_EQ(b, "B");
  EXPECT_EQ(l.to_vector(), (std::vector<std::string>{"a", "B", "c"}));
  EXPECT_EQ(l.pop(), std::optional<std::string>("c"));
  EXPECT_EQ(l.pop(0), std::optional<std::string>("a"));
  l.erase(-1);
  EXPECT_EQ(l.pop(), std::nullopt);
  try {
    (void)l.at(5);
    FAIL() << "at() outside the list must throw";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_ERANGE);
  }
  std::string big(70000, 'y');
  l.push_back(big);
  EXPECT_EQ(l.at(-1), big);
  l.check();
  l.clear();
  EXPECT_EQ(l.size(), 0u);
}

TEST(SharedContainersHpp, ChildrenUseThemAsArguments) {
  mproc::SharedDict d;
  mproc::SharedList l;
  d["visits"] = "0";
  std::vector<mproc::Process> children;
  for (int i = 0; i < 3; ++i)
    children.emplace_back("hpp_container_child",
                          mproc::Args() << d << l << ("child" + std::to_string(i)));
  for (auto& c : children) c.start();
  for (auto& c : children) {
    c.join();
    EXPECT_EQ(c.exitcode(), std::optional<int>(0));
  }
  EXPECT_EQ(d.at("visits"), "3");
  auto names = l.to_vector();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"child0", "child1", "child2"}));
}

TEST(SharedContainersHpp, NamedOnesOpenByName) {
  mproc::ContainerOptions o;
  o.shared = mproc::Shared::named();
  mproc::SharedDict d(o);
  mproc::SharedList l(o);
  ASSERT_FALSE(d.name().empty());
  auto d2 = mproc::SharedDict::open(d.name());
  auto l2 = mproc::SharedList::open(l.name());
  d2["x"] = "y";
  l2.push_back("z");
  EXPECT_EQ(d.at("x"), "y");
  EXPECT_EQ(l.at(0), "z");
  mproc::unlink(d.name());
  mproc::unlink(l.name());
}

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// The arithmetic under shared dicts and lists (core/containers/layout.hpp,
// hash.hpp), tested from inside: size classes, references, the key hash.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/containers/hash.hpp"
#include "core/containers/layout.hpp"

using namespace mproc::core;

TEST(ContainerLayout, EverySizeGetsTheSmallestClassThatHoldsIt) {
  for (uint64_t bytes = 1; bytes < 200000; bytes += bytes < 4096 ? 1 : 61) {
    uint32_t c = class_for(bytes);
    ASSERT_LT(c, kClasses);
    ASSERT_GE(class_size(c), bytes) << bytes;
    if (c > 0) {
      ASSERT_LT(class_size(c - 1), bytes) << bytes;
    }
    // At most a quarter wasted above the smallest class.
    if (bytes > 64) {
      ASSERT_LE(class_size(c) * 4, bytes * 5 + 64) << bytes;
    }
    ASSERT_EQ(class_size(c) % 16, 0u);
  }
  // The largest entry a container can hold still has a class.
  EXPECT_LT(class_for(kMaxContainerBytes), kClasses);
  EXPECT_GE(class_size(class_for(kMaxContainerBytes)), kMaxContainerBytes);
}

TEST(ContainerLayout, ReferencesKeepOffsetAndTag) {
  uint64_t offset = kMaxContainerBytes - 16;
  Ref r = make_ref(offset, 0x123456789abcdef0ull);
  EXPECT_EQ(ref_offset(r), offset);
  EXPECT_EQ(ref_tag(r), 0x9abcdef0u);
  EXPECT_TRUE(ref_is_block(r));
  EXPECT_FALSE(ref_is_block(kEmptyRef));
  EXPECT_FALSE(ref_is_block(kTombstoneRef));
  // A block at the first heap offset with a tag of 0 is still not empty.
  EXPECT_NE(make_ref(4096, 0), kEmptyRef);
}

TEST(ContainerHash, DependsOnEveryByteTheLengthAndTheSeed) {
  std::string key(40, 'k');
  uint64_t base = hash_key(key.data(), key.size(), 1);
  std::set<uint64_t> seen{base};
  for (size_t i = 0; i < key.size(); ++i) {
    std::string other = key;
    other[i] ^= 1;
    EXPECT_TRUE(seen.insert(hash_key(other.data(), other.size(), 1)).second) << i;
  }
  for (size_t n = 0; n < key.size(); ++n)
    EXPECT_TRUE(seen.insert(hash_key(key.data(), n, 1)).second) << n;
  EXPECT_NE(hash_key(key.data(), key.size(), 2), base);
  // Stable: every process computes the same.
  EXPECT_EQ(hash_key("abc", 3, 42), hash_key("abc", 3, 42));
  // The high half (the home slot) spreads small keys over a table.
  std::set<uint32_t> homes;
  for (int i = 0; i < 1000; ++i) {
    std::string k = "key" + std::to_string(i);
    homes.insert(static_cast<uint32_t>((hash_key(k.data(), k.size(), 7) >> 32) * 1024 >> 32));
  }
  EXPECT_GT(homes.size(), 550u);  // 1000 balls in 1024 bins: about 632
}

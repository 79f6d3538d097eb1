// The MPI pool's message format (core/pool/mpi/mpi_wire.hpp): what a rank or
// an owner sends is read back exactly, and what is malformed is refused
// rather than read past its end.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/pool/mpi/mpi_wire.hpp"

using mproc::core::decode_mpi_msg;
using mproc::core::kMpiMsgMagic;
using mproc::core::MpiMsgHeader;
using mproc::core::MpiMsgKind;
using mproc::core::MpiMsgView;
using mproc::core::MpiMsgWriter;
using mproc::core::take_mpi_record;

TEST(MpiWire, RecordsComeBackAsWritten) {
  MpiMsgWriter w(MpiMsgKind::kReplies);
  std::string_view one[] = {"ab", "", "cde"};
  w.record(one, 3);
  std::string_view two[] = {""};
  w.record(two, 1);
  std::string msg = w.take(12345);
  MpiMsgView view;
  ASSERT_TRUE(decode_mpi_msg(msg, &view));
  EXPECT_EQ(view.header.kind, static_cast<uint32_t>(MpiMsgKind::kReplies));
  EXPECT_EQ(view.header.count, 2u);
  EXPECT_EQ(view.header.busy_ns, 12345u);
  std::string_view record;
  ASSERT_TRUE(take_mpi_record(&view.body, &record));
  EXPECT_EQ(record, "abcde");
  ASSERT_TRUE(take_mpi_record(&view.body, &record));
  EXPECT_EQ(record, "");
  EXPECT_TRUE(view.body.empty());
  EXPECT_FALSE(take_mpi_record(&view.body, &record));
}

TEST(MpiWire, MalformedMessagesAreRefused) {
  MpiMsgView view;
  EXPECT_FALSE(decode_mpi_msg("", &view));
  std::string msg = MpiMsgWriter(MpiMsgKind::kStop).take();
  EXPECT_FALSE(decode_mpi_msg(std::string_view(msg).substr(0, sizeof(MpiMsgHeader) - 1), &view));
  std::string bad_magic = msg;
  bad_magic[0] ^= 1;
  EXPECT_FALSE(decode_mpi_msg(bad_magic, &view));
  for (uint32_t kind : {0u, 4u, 10u, 14u, 0xffffffffu}) {
    std::string bad_kind = msg;
    std::memcpy(&bad_kind[offsetof(MpiMsgHeader, kind)], &kind, sizeof kind);
    EXPECT_FALSE(decode_mpi_msg(bad_kind, &view)) << kind;
  }
  ASSERT_TRUE(decode_mpi_msg(msg, &view));
  EXPECT_EQ(view.header.magic, kMpiMsgMagic);
}

TEST(MpiWire, RecordsPastTheirMessageAreRefused) {
  uint64_t len = 10;
  std::string rest(reinterpret_cast<const char*>(&len), sizeof len);
  rest += "123456789";  // one byte short
  std::string_view view = rest, record;
  EXPECT_FALSE(take_mpi_record(&view, &record));
  std::string_view short_length = std::string_view(rest).substr(0, 7);
  EXPECT_FALSE(take_mpi_record(&short_length, &record));
  len = UINT64_MAX;
  std::string huge(reinterpret_cast<const char*>(&len), sizeof len);
  view = huge;
  EXPECT_FALSE(take_mpi_record(&view, &record));
}

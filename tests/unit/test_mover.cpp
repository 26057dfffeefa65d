// The mover against a faked EXT4_IOC_MOVE_EXT: moved_len honoured, partial moves reported as short
// transfers and never counted twice, EBUSY retried from where the kernel stopped.
#include "mover.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <deque>
#include <utility>
#include <vector>

using namespace e4mext;

namespace {

struct FakeReply {
	int rc; // 0 or a positive errno, as move_extent_ioctl returns
	uint64_t moved;
};

// The fake's script and what it was asked; a plain function pointer cannot carry state.
std::deque<FakeReply> replies;
std::vector<MoveRequest> requests;

int fake_move(int, int, const MoveRequest &request, uint64_t *moved_len)
{
	requests.push_back(request);
	REQUIRE_FALSE(replies.empty());
	const FakeReply reply = replies.front();
	replies.pop_front();
	*moved_len = reply.moved;
	return reply.rc;
}

void script(std::initializer_list<FakeReply> list)
{
	replies.assign(list);
	requests.clear();
}

} // namespace

TEST_CASE("a full move reports every byte and one request in blocks", "[mover]")
{
	script({{0, 8}});
	Mover mover(fake_move, 12, 0);
	const MoveOutcome out = mover.move(3, 4, 32768, 32768);
	CHECK(out.error == 0);
	CHECK(out.bytes_moved == 32768);
	REQUIRE(requests.size() == 1);
	CHECK(requests[0].orig_start == 8);
	CHECK(requests[0].donor_start == 8);
	CHECK(requests[0].len == 8);
	CHECK(mover.stats().blocks_moved == 8);
	CHECK(mover.stats().partial_moves == 0);
}

TEST_CASE("a short move becomes a short transfer, counted once", "[mover]")
{
	script({{0, 3}});
	Mover mover(fake_move, 12, 0);
	const MoveOutcome out = mover.move(3, 4, 0, 32768);
	CHECK(out.error == 0);
	CHECK(out.bytes_moved == 3 * 4096);
	CHECK(mover.stats().partial_moves == 1);
	CHECK(mover.stats().blocks_moved == 3);
}

TEST_CASE("moved_len beyond the request is not trusted", "[mover]")
{
	script({{0, 100}});
	Mover mover(fake_move, 12, 0);
	const MoveOutcome out = mover.move(3, 4, 0, 8192);
	CHECK(out.bytes_moved == 8192);
	CHECK(mover.stats().blocks_moved == 2);
}

TEST_CASE("EBUSY goes to fio unchanged when retries are off", "[mover]")
{
	script({{EBUSY, 2}});
	Mover mover(fake_move, 12, 0);
	const MoveOutcome out = mover.move(3, 4, 0, 8 * 4096);
	CHECK(out.error == EBUSY);
	CHECK(out.bytes_moved == 2 * 4096);
	CHECK(mover.stats().ebusy == 1);
	CHECK(mover.stats().partial_moves == 1);
	CHECK(mover.stats().retries == 0);
}

TEST_CASE("EBUSY retries resume after the blocks already moved", "[mover]")
{
	script({{EBUSY, 3}, {EBUSY, 0}, {0, 5}});
	Mover mover(fake_move, 12, 5);
	const MoveOutcome out = mover.move(3, 4, 4096, 8 * 4096);
	CHECK(out.error == 0);
	CHECK(out.bytes_moved == 8 * 4096);
	REQUIRE(requests.size() == 3);
	CHECK(requests[1].orig_start == 1 + 3);
	CHECK(requests[1].len == 5);
	CHECK(requests[2].orig_start == 4);
	CHECK(mover.stats().blocks_moved == 8); // not 3 + 8
	CHECK(mover.stats().retries == 2);
	CHECK(mover.stats().ebusy == 0);
	CHECK(mover.stats().partial_moves == 0);
}

TEST_CASE("retries run out and the last EBUSY reaches fio", "[mover]")
{
	script({{EBUSY, 0}, {EBUSY, 1}});
	Mover mover(fake_move, 12, 1);
	const MoveOutcome out = mover.move(3, 4, 0, 4 * 4096);
	CHECK(out.error == EBUSY);
	CHECK(out.bytes_moved == 4096);
	CHECK(mover.stats().retries == 1);
	CHECK(mover.stats().ebusy == 1);
}

TEST_CASE("ENODATA with partial progress keeps the progress and the errno", "[mover]")
{
	script({{ENODATA, 6}});
	Mover mover(fake_move, 12, 3);
	const MoveOutcome out = mover.move(3, 4, 0, 8 * 4096);
	CHECK(out.error == ENODATA);
	CHECK(out.bytes_moved == 6 * 4096);
	CHECK(mover.stats().enodata == 1);
	CHECK(requests.size() == 1); // only EBUSY is retried
}

TEST_CASE("success that moved nothing is reported, not counted as a move of data", "[mover]")
{
	script({{0, 0}});
	Mover mover(fake_move, 12, 0);
	const MoveOutcome out = mover.move(3, 4, 0, 4096);
	CHECK(out.error == ENODATA);
	CHECK(out.bytes_moved == 0);
	CHECK(mover.stats().enodata == 1);
}

TEST_CASE("other errors are passed through and counted", "[mover]")
{
	script({{EINVAL, 0}});
	Mover mover(fake_move, 10, 0);
	const MoveOutcome out = mover.move(3, 4, 0, 4096);
	CHECK(out.error == EINVAL);
	CHECK(mover.stats().other_errors == 1);
	CHECK(requests[0].len == 4); // 1K blocks
}

namespace {

std::vector<std::pair<uint64_t, uint64_t>> written_back; // (offset, length) in bytes
int write_back_result = 0;

int fake_write_back(int, uint64_t offset, uint64_t length)
{
	written_back.emplace_back(offset, length);
	return write_back_result;
}

} // namespace

TEST_CASE("with a write-back, each EBUSY retry first writes the rest of the range back", "[mover]")
{
	script({{EBUSY, 3}, {EBUSY, 0}, {0, 5}});
	written_back.clear();
	write_back_result = 0;
	Mover mover(fake_move, 12, 5, fake_write_back);
	const MoveOutcome out = mover.move(3, 4, 4096, 8 * 4096);
	CHECK(out.error == 0);
	CHECK(out.bytes_moved == 8 * 4096);
	REQUIRE(written_back.size() == 2);
	CHECK(written_back[0] == std::pair<uint64_t, uint64_t>{(1 + 3) * 4096, 5 * 4096}); // after the 3 moved
	CHECK(written_back[1] == std::pair<uint64_t, uint64_t>{(1 + 3) * 4096, 5 * 4096});
	CHECK(mover.stats().write_backs == 2);
	CHECK(mover.stats().retries == 2);
}

TEST_CASE("a write-back that fails ends the move with its errno, the progress kept", "[mover]")
{
	script({{EBUSY, 2}});
	written_back.clear();
	write_back_result = EIO;
	Mover mover(fake_move, 12, 5, fake_write_back);
	const MoveOutcome out = mover.move(3, 4, 0, 8 * 4096);
	CHECK(out.error == EIO);
	CHECK(out.bytes_moved == 2 * 4096);
	CHECK(requests.size() == 1);
	CHECK(mover.stats().write_backs == 0);
	CHECK(mover.stats().other_errors == 1);
	write_back_result = 0;
}

TEST_CASE("without a write-back, no range is written back", "[mover]")
{
	script({{EBUSY, 0}, {0, 2}});
	written_back.clear();
	Mover mover(fake_move, 12, 1);
	CHECK(mover.move(3, 4, 0, 2 * 4096).error == 0);
	CHECK(written_back.empty());
	CHECK(mover.stats().write_backs == 0);
}

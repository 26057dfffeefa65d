// Random fio jobs for libe4mext, drawn from (seed, case index) alone: any case can be made again
// from the two numbers printed with it, without running the cases before it.
#pragma once

#include "case_spec.h"

#include <cstdint>

namespace e4mext::jobfuzz {

// At most this many bytes of files per case: with donors as large again it leaves most of the
// 1 GiB loop filesystem free.
inline constexpr uint64_t kCaseFileBudget = 160ULL << 20;

CaseSpec generate_case(uint64_t seed, uint64_t index);

} // namespace e4mext::jobfuzz

// The main of the unit tests that need real files on ext4: where no ext4 temporary directory is
// available they are not run - exit 77, which meson reports as SKIP with the reason - rather than
// passing without having run.
#define CATCH_CONFIG_RUNNER
#include "ext4_files.h"

#include <catch2/catch.hpp>

#include <cstdio>

int main(int argc, char **argv)
{
	if (e4mext::test::Ext4TempDir().path.empty()) {
		std::printf("not run: no ext4 temporary directory (/tmp is not ext4; set E4MEXT_TEST_TMPDIR to one)\n");
		return 77;
	}
	return Catch::Session().run(argc, argv);
}

// Fixture files under tests/data/vm/.
#pragma once

#include "file_text.h"

#include <stdexcept>
#include <string>

inline std::string vm_data_path(const std::string &name)
{
	return std::string(E4MEXT_VM_TEST_DATA) + "/" + name;
}

inline std::string read_vm_data(const std::string &name)
{
	auto text = e4mext::runner::read_file(vm_data_path(name));
	if (!text)
		throw std::runtime_error("missing fixture " + vm_data_path(name));
	return *text;
}

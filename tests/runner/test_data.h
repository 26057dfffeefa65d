// Fixture files under tests/data/vm/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

inline std::string vm_data_path(const std::string &name)
{
	return std::string(E4MEXT_VM_TEST_DATA) + "/" + name;
}

inline std::string read_vm_data(const std::string &name)
{
	std::ifstream in(vm_data_path(name), std::ios::binary);
	std::ostringstream s;
	s << in.rdbuf();
	if (!in)
		throw std::runtime_error("missing fixture " + vm_data_path(name));
	return s.str();
}

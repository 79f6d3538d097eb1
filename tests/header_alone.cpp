// Built once per public header as strict C++17: the C headers must be usable
// from C++ unchanged.
#include MPROC_HEADER_UNDER_TEST

int main() { return mproc_version() == MPROC_VERSION_NUMBER ? 0 : 1; }

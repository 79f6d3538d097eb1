/* Built once per public header and C standard: each header must compile on
 * its own, strictly, whichever one a program includes first. */
#include MPROC_HEADER_UNDER_TEST

int main(void) { return mproc_version() == MPROC_VERSION_NUMBER ? 0 : 1; }

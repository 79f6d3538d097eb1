// The floor for starting a program: a minimal dynamically linked C++
// program. With an argument it waits on stdin (for measuring idle memory).
#include <iostream>
#include <string>

int main(int argc, char**) {
  std::string line = "ok";
  if (argc > 1) {
    std::cout << "up" << std::endl;
    std::getline(std::cin, line);
  }
  return line.empty() ? 1 : 0;
}

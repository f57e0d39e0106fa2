# gatehouse_warnings(target): the project's warning set, one place for every target.
function(gatehouse_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # -Wrestrict: GCC 12 at -O3 reports false positives inside std::string's operator+
    # (GCC bug 105651), which -Werror would turn into a failed release build.
    target_compile_options(${target} PRIVATE -Wshadow=local -Wno-restrict)
  else()
    target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
  endif()
  if(GATEHOUSE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# gatehouse_add_plugin(<target> KIND storage|notifier NAME <name> SOURCES ...)
# Builds gatehouse-<kind>-<name>.so: a MODULE library with hidden symbols except the entry.
function(gatehouse_add_plugin target)
  cmake_parse_arguments(P "" "KIND;NAME;OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE Gatehouse::SDK)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "gatehouse-${P_KIND}-${P_NAME}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()

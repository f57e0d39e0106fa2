# Writes OUTPUT: a .cc defining `std::string_view gatehouse::api::OpenApiDocument()` that
# returns the bytes of INPUT (run at build time; see daemon/CMakeLists.txt). The text is
# split into raw literals of at most 16 KiB: compilers need not accept longer literals.
file(READ ${INPUT} CONTENT)
string(LENGTH "${CONTENT}" LEN)
set(PARTS "")
set(POS 0)
while(POS LESS LEN)
  string(SUBSTRING "${CONTENT}" ${POS} 16000 CHUNK)
  string(APPEND PARTS "      R\"GHOPENAPI(${CHUNK})GHOPENAPI\",\n")
  math(EXPR POS "${POS} + 16000")
endwhile()
file(WRITE ${OUTPUT} "#include <string>\n#include \"api/openapi.h\"\nnamespace gatehouse::api {\nstd::string_view OpenApiDocument() {\n  static const std::string kDoc = [] {\n    const char* parts[] = {\n${PARTS}    };\n    std::string all;\n    for (const char* p : parts) all += p;\n    return all;\n  }();\n  return kDoc;\n}\n}  // namespace gatehouse::api\n")

# Writes OUTPUT: a .cc defining `std::string_view gatehouse::api::OpenApiDocument()` that
# returns the bytes of INPUT (run at build time; see daemon/CMakeLists.txt).
file(READ ${INPUT} CONTENT)
file(WRITE ${OUTPUT} "#include \"api/openapi.h\"\nnamespace gatehouse::api {\nstd::string_view OpenApiDocument() {\n  static constexpr char kDoc[] = R\"GHOPENAPI(${CONTENT})GHOPENAPI\";\n  return {kDoc, sizeof(kDoc) - 1};\n}\n}  // namespace gatehouse::api\n")

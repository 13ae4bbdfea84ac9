# docs.cmake — the configuration reference of README.md and packaging/zpub.1,
# rendered by the built zpub from the settings schema (scripts/docs_config.sh).
# The normal build renders them into build/docs/ and leaves the sources alone;
# `cmake --build build --target docs` rewrites the committed files; the test
# e2e/docs_current fails while they differ.
set(ZPUB_DOCS_OUT ${CMAKE_BINARY_DIR}/docs)
set(ZPUB_DOCS_SCRIPT ${CMAKE_SOURCE_DIR}/scripts/docs_config.sh)

add_custom_command(OUTPUT ${ZPUB_DOCS_OUT}/README.md ${ZPUB_DOCS_OUT}/zpub.1
  COMMAND bash ${ZPUB_DOCS_SCRIPT} render $<TARGET_FILE:zpub> ${CMAKE_SOURCE_DIR} ${ZPUB_DOCS_OUT}
  DEPENDS zpub ${ZPUB_DOCS_SCRIPT} ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/packaging/zpub.1
  COMMENT "Rendering the configuration reference into ${ZPUB_DOCS_OUT}" VERBATIM)
add_custom_target(docs_render ALL DEPENDS ${ZPUB_DOCS_OUT}/README.md ${ZPUB_DOCS_OUT}/zpub.1)

add_custom_target(docs
  COMMAND bash ${ZPUB_DOCS_SCRIPT} write $<TARGET_FILE:zpub> ${CMAKE_SOURCE_DIR} ${ZPUB_DOCS_OUT}
  DEPENDS zpub ${ZPUB_DOCS_SCRIPT}
  COMMENT "Rewriting the configuration reference of README.md and packaging/zpub.1" VERBATIM)

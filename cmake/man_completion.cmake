# The man page, generated from --help at build time by help2man (Debian package help2man), and
# the bash completion, installed where bash-completion looks for it ($datadir/bash-completion/
# completions, found through XDG_DATA_DIRS for any prefix). Both in the cli component.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/parapipe.1
    COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${HELP2MAN} -DBIN=$<TARGET_FILE:parapipe>
      -DOUT=${PROJECT_BINARY_DIR}/parapipe.1 -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    DEPENDS parapipe ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    COMMENT "Generating the man page parapipe.1")
  add_custom_target(parapipe_man ALL DEPENDS ${PROJECT_BINARY_DIR}/parapipe.1)
  install(FILES ${PROJECT_BINARY_DIR}/parapipe.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
else()
  message(WARNING "help2man not found: no man page (scripts/setup.sh installs it)")
endif()
install(FILES ${PROJECT_SOURCE_DIR}/cmake/completion/parapipe.bash RENAME parapipe
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)

# Install and export: find_package(parapipe), pkg-config parapipe, in three components:
#   library  libparapipe_core.a (and libparapipe_image.a), CMake package, parapipe.pc
#   headers  include/parapipe/{engine,operators,shm,pipelines}
#   cli      bin/parapipe, libexec/parapipe/parapipe-image and parapipe-mpi, its man page and bash completion (cmake/man_completion.cmake)
# Paths come from GNUInstallDirs. parapipe::image has an export set of its own, so a core-only
# install asks its consumers for no OpenCV.
include(CMakePackageConfigHelpers)
set(PARAPIPE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/parapipe)

install(TARGETS parapipe_core EXPORT parapipeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
install(EXPORT parapipeTargets NAMESPACE parapipe:: DESTINATION ${PARAPIPE_CMAKE_DIR} COMPONENT library)
if(TARGET parapipe_image)
  install(TARGETS parapipe_image EXPORT parapipeImageTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
  install(EXPORT parapipeImageTargets NAMESPACE parapipe:: DESTINATION ${PARAPIPE_CMAKE_DIR} COMPONENT library)
endif()

if(TARGET parapipe_mpi)
  install(TARGETS parapipe_mpi EXPORT parapipeMpiTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
  install(EXPORT parapipeMpiTargets NAMESPACE parapipe:: DESTINATION ${PARAPIPE_CMAKE_DIR} COMPONENT library)
  install(FILES mpi/enable.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/parapipe/mpi COMPONENT headers)
endif()

# Headers: the image ones only with the image library.
set(_parapipe_header_excludes)
if(NOT TARGET parapipe_image)
  set(_parapipe_header_excludes PATTERN "image" EXCLUDE PATTERN "image*.hpp" EXCLUDE PATTERN "opencv*.hpp" EXCLUDE)
endif()
install(DIRECTORY engine operators shm pipelines DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/parapipe
  COMPONENT headers FILES_MATCHING PATTERN "*.hpp" ${_parapipe_header_excludes})
install(FILES include/parapipe/parapipe.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/parapipe COMPONENT headers)

configure_package_config_file(cmake/parapipeConfig.cmake.in ${PROJECT_BINARY_DIR}/parapipeConfig.cmake
  INSTALL_DESTINATION ${PARAPIPE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/parapipeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/parapipeConfig.cmake ${PROJECT_BINARY_DIR}/parapipeConfigVersion.cmake
  DESTINATION ${PARAPIPE_CMAKE_DIR} COMPONENT library)

# pkg-config: parapipe::core (the image library is for CMake consumers). The prefix is found from
# the .pc file's own place, so `cmake --install --prefix` anywhere gives a working file.
file(RELATIVE_PATH PARAPIPE_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(cmake/parapipe.pc.in ${PROJECT_BINARY_DIR}/parapipe.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/parapipe.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT library)

if(TARGET parapipe)
  install(TARGETS parapipe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
  # Run by parapipe for the commands that need OpenCV (cli/image_program.hpp).
  install(TARGETS parapipe-image RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/parapipe COMPONENT cli)
  if(TARGET parapipe-mpi)  # run by parapipe for --mode mpi
    install(TARGETS parapipe-mpi RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/parapipe COMPONENT cli)
  endif()
endif()

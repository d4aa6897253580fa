# `parapipe run image`: built into parapipe-image only (cmake/cli.cmake), so parapipe loads no OpenCV.
target_sources(parapipe-image PRIVATE ${parapipe_SOURCE_DIR}/cli/image_command.cpp)
target_sources(parapipe_light_objects PRIVATE ${parapipe_SOURCE_DIR}/cli/image_forward.cpp)
target_link_libraries(parapipe-image PRIVATE parapipe_image parapipe_image_corpus parapipe_image_baseline)

# Deterministic synthetic images for benchmarks, tests and the demo.
add_library(parapipe_image_corpus STATIC ${parapipe_SOURCE_DIR}/bench/corpus/image_corpus.cpp)
target_include_directories(parapipe_image_corpus PUBLIC ${PROJECT_SOURCE_DIR})
target_include_directories(parapipe_image_corpus SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
target_link_libraries(parapipe_image_corpus PRIVATE opencv_core opencv_imgcodecs parapipe_warnings parapipe_sanitize)

# The plain OpenCV loop that `bench image --baselines` and bench/image compare with.
add_library(parapipe_image_baseline STATIC ${parapipe_SOURCE_DIR}/bench/image/baseline.cpp)
target_include_directories(parapipe_image_baseline PUBLIC ${PROJECT_SOURCE_DIR})
target_include_directories(parapipe_image_baseline SYSTEM PUBLIC ${OpenCV_INCLUDE_DIRS})
target_link_libraries(parapipe_image_baseline PRIVATE opencv_core opencv_imgproc opencv_imgcodecs parapipe_warnings
  parapipe_sanitize)

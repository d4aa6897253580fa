# `parapipe run image`.
target_sources(parapipe PRIVATE ${parapipe_SOURCE_DIR}/cli/image_command.cpp)
target_link_libraries(parapipe PRIVATE parapipe_image)

# Deterministic synthetic images for benchmarks, tests and the demo.
target_sources(parapipe_corpus PRIVATE ${parapipe_SOURCE_DIR}/bench/corpus/image_corpus.cpp)
target_include_directories(parapipe_corpus SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
target_link_libraries(parapipe_corpus PRIVATE opencv_core opencv_imgcodecs)

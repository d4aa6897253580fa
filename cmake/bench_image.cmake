# bench_image: the image pipeline per mode and worker count beside the plain OpenCV loop.
add_executable(bench_image
  ${parapipe_SOURCE_DIR}/bench/image/image_bench.cpp)
target_link_libraries(bench_image PRIVATE parapipe_image parapipe_image_corpus parapipe_image_baseline parapipe_corpus benchmark::benchmark
  parapipe_warnings parapipe_sanitize)

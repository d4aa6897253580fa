# The image pipeline's tests: one binary (fast links on 2 cores), small generated images only.
parapipe_add_test(image_tests
  ${parapipe_SOURCE_DIR}/tests/image/ops_test.cpp
  ${parapipe_SOURCE_DIR}/tests/image/tile_test.cpp
  ${parapipe_SOURCE_DIR}/tests/image/batch_test.cpp
  ${parapipe_SOURCE_DIR}/tests/image/bad_input_test.cpp
  ${parapipe_SOURCE_DIR}/tests/image/codec_test.cpp
  ${parapipe_SOURCE_DIR}/tests/image/opencv_single_thread.cpp
  LIBS parapipe_image)
add_dependencies(image_tests parapipe)  # the command tests run build/parapipe

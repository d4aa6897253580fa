# parapipe::image — OpenCV operators (operators/image/) and the image pipeline (pipelines/image*).
add_library(parapipe_image STATIC
  ${parapipe_SOURCE_DIR}/operators/image/parse_ops.cpp
  ${parapipe_SOURCE_DIR}/operators/image/apply_ops.cpp
  ${parapipe_SOURCE_DIR}/operators/image/halo.cpp
  ${parapipe_SOURCE_DIR}/operators/image/histogram.cpp
  ${parapipe_SOURCE_DIR}/operators/image/image_header.cpp
  ${parapipe_SOURCE_DIR}/operators/image/image_io.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_batch.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_inputs.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_report.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_source.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_stats.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_tile.cpp
  ${parapipe_SOURCE_DIR}/pipelines/image_tile_source.cpp
)
add_library(parapipe::image ALIAS parapipe_image)
set_target_properties(parapipe_image PROPERTIES EXPORT_NAME image OUTPUT_NAME parapipe_image)
# The opencv_* targets carry their include folder to consumers; this one is for the build only,
# so the installed package names no absolute path of the build machine.
target_include_directories(parapipe_image SYSTEM PUBLIC $<BUILD_INTERFACE:${OpenCV_INCLUDE_DIRS}>)
target_link_libraries(parapipe_image
  PUBLIC parapipe_core opencv_core opencv_imgproc opencv_imgcodecs
  PRIVATE $<BUILD_INTERFACE:parapipe_warnings> $<BUILD_INTERFACE:parapipe_sanitize>)

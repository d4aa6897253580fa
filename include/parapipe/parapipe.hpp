#pragma once
// Everything a user of the core library needs to write pipelines:
// `#include <parapipe/parapipe.hpp>`. No OpenCV: the image pipeline is <parapipe/pipelines/image.hpp>.
#include <parapipe/engine/cancel.hpp>
#include <parapipe/engine/counters.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/fields.hpp>
#include <parapipe/engine/flow.hpp>
#include <parapipe/engine/mode.hpp>
#include <parapipe/engine/options.hpp>
#include <parapipe/engine/run.hpp>
#include <parapipe/engine/sources/files.hpp>
#include <parapipe/engine/sources/lines.hpp>
#include <parapipe/engine/sources/memory.hpp>
#include <parapipe/engine/walk.hpp>
#include <parapipe/operators/text_files.hpp>
#include <parapipe/operators/words.hpp>

#pragma once
// The whole host-application API in one include.
#include "fnn/error.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network.hpp"
#include "fnn/network_spec.hpp"
#include "fnn/options.hpp"
#include "fnn/random.hpp"
#include "fnn/registry.hpp"
#include "fnn/sizes.hpp"
#include "fnn/trainer.hpp"
#include "fnn/version.hpp"

// Precompiled header: the two large header trees every translation unit includes.
#pragma once
#include <napi.h>
#include <mlx/mlx.h>

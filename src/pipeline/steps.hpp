// The steps of the user pipeline, named as in Python Social Auth. Each is one file.
#pragma once

#include "pipeline/pipeline.hpp"

namespace socialauth::pipeline {

core::Status social_details(PipelineContext& context, PipelineState& state);
core::Status social_uid(PipelineContext& context, PipelineState& state);
core::Status auth_allowed(PipelineContext& context, PipelineState& state);
core::Status social_user(PipelineContext& context, PipelineState& state);
core::Status get_username(PipelineContext& context, PipelineState& state);
core::Status associate_by_email(PipelineContext& context, PipelineState& state);
core::Status create_user(PipelineContext& context, PipelineState& state);
core::Status associate_user(PipelineContext& context, PipelineState& state);
core::Status load_extra_data(PipelineContext& context, PipelineState& state);
core::Status user_details(PipelineContext& context, PipelineState& state);

// The key emails are compared by: trimmed, ASCII letters lower-cased, nothing else.
std::string email_key(const std::string& email);

} // namespace socialauth::pipeline
